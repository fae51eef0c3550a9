<?php
// Resizes an upload with ImageMagick, arguments escaped.
$src = escapeshellarg($_FILES["img"]["tmp_name"]);
exec("convert " . $src . " -resize 800x600 /var/www/uploads/thumb.jpg");
