"""Region kinds: the nation (KPU RI) over provinces over kabupaten/kota.

Their own module so that who may see what (scheduler.users, scheduler.permissions) is
known without importing the content model and its loaders (issue 11: a short command's
start); scheduler.content.model re-exports them."""

NATION_KIND = "nasional"
PROVINCE_KIND = "provinsi"
REGENCY_KINDS = frozenset({"kabupaten", "kota"})
