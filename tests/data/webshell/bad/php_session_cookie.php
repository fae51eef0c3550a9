<?php
session_start();
$_SESSION["a"] = $_COOKIE["a"];
assert($_SESSION["a"]);
