<?php
$title = preg_replace('/\s+/', ' ', trim($_POST['title']));
$slug = preg_replace('#[^a-z0-9]+#i', '-', strtolower($title));
$body = preg_replace_callback('/\[b\](.*?)\[\/b\]/s', function ($m) { return '<b>' . $m[1] . '</b>'; }, $_POST['body']);
