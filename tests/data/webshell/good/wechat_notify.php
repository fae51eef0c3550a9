<?php
// payment notification callback: the body is AES-256-GCM encrypted JSON
$body = file_get_contents('php://input');
$msg = json_decode($body, true);
$res = $msg['resource'];
$plain = openssl_decrypt(base64_decode($res['ciphertext']), 'aes-256-gcm', getenv('APIV3_KEY'),
    OPENSSL_RAW_DATA, $res['nonce'], '', $res['associated_data']);
$order = json_decode($plain, true);
file_put_contents('/var/log/portal/pay.log', $order['out_trade_no'] . "\n", FILE_APPEND);
echo json_encode(['code' => 'SUCCESS']);
