<?php
/* A template engine: compiled templates are evaluated. */
function render($tpl, $vars) { extract($vars); eval("?>" . compile($tpl)); }
