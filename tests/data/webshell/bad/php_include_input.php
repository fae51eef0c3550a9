<?php
include "php://input";
