<?php
$stmt = $pdo->prepare("SELECT * FROM news WHERE title LIKE ? UNION SELECT * FROM archive");
$stmt->execute(array("%" . $_GET["q"] . "%"));
