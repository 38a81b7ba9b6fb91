"""anninh's web server: today the photos a messenger fetches by URL (Zalo sends photos only
from a public address), at unguessable addresses that expire; the officers' console later."""
