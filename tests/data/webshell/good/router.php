<?php
// A router: controller and action from the URL.
$c = ucfirst($_GET["c"]) . "Controller";
$ctl = new $c();
$a = $_GET["a"];
$ctl->$a();
