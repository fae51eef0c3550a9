<?php
// news detail page
$pdo = new PDO('mysql:host=localhost;dbname=portal', 'portal', getenv('DB_PASS'));
$stmt = $pdo->prepare('SELECT title, body FROM news WHERE id = ?');
$stmt->execute([(int)$_GET['id']]);
$row = $stmt->fetch();
$pdo->exec("UPDATE counters SET views = views + 1 WHERE id = " . (int)$_GET['id']);
echo htmlspecialchars($row['title']);
