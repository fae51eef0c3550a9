<?php
// attachment upload for the news editor
session_start();
if (empty($_SESSION['editor'])) { http_response_code(403); exit; }
$dir = __DIR__ . '/uploads/' . date('Ym');
if (!is_dir($dir)) { mkdir($dir, 0755, true); }
$name = bin2hex(random_bytes(8)) . '.' . pathinfo($_FILES['file']['name'], PATHINFO_EXTENSION);
move_uploaded_file($_FILES['file']['tmp_name'], "$dir/$name");
chmod("$dir/$name", 0644);
$list = scandir($dir);
echo json_encode(['url' => "/uploads/" . date('Ym') . "/$name", 'count' => count($list) - 2]);
