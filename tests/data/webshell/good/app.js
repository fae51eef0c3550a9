// portal front-end: news carousel
(function () {
  var items = document.querySelectorAll('.carousel .item');
  var i = 0;
  setInterval(function () {
    items[i].classList.remove('active');
    i = (i + 1) % items.length;
    items[i].classList.add('active');
  }, 5000);
})();
