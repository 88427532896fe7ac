# Django's own zh_Hans formats ("2026年12月7日 01:19") except the month and day, which
# Django pads ("09月5日"); everything not set here comes from Django's module.
MONTH_DAY_FORMAT = "n月j日"
