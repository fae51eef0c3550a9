<?php
function decode_token($t) {
    return json_decode(base64_decode(strtr($t, '-_', '+/')), true);
}
$claims = decode_token($_GET['token'] ?? '');
$deflated = gzinflate(base64_decode($cached)); // cached fragment
echo $claims['sub'] ?? 'guest';
