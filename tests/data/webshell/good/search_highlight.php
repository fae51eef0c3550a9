<?php
// Highlights the search words in a news title.
$q = preg_quote($_GET["q"], "/");
echo preg_replace("/" . $q . "/i", "<b>$0</b>", $title);
