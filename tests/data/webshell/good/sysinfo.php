<?php
// admin dashboard: server facts
echo '<table>';
echo '<tr><td>系统</td><td>' . htmlspecialchars(php_uname()) . '</td></tr>';
echo '<tr><td>磁盘剩余</td><td>' . round(disk_free_space('/') / 1e9, 1) . ' GB</td></tr>';
foreach (glob(__DIR__ . '/logs/*.log') as $f) { echo '<tr><td>' . basename($f) . '</td></tr>'; }
echo '</table>';
