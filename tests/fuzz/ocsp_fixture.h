/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fixed public certificates for fuzz_ocsp_response.c: a test CA and a
 * leaf it issued (tests/ocsp/ocsp_pki.py, made once; the keys were
 * thrown away).  The seeds in corpus/ocsp_response/ are responses of
 * the canned responder about this leaf, produced at FUZZ_OCSP_NOW.
 */
#ifndef _BPA_FUZZ_OCSP_FIXTURE_H_
#define _BPA_FUZZ_OCSP_FIXTURE_H_
#define FUZZ_OCSP_NOW ((time_t)1796159979)
static const char fuzz_ocsp_ca_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIC+zCCAeOgAwIBAgIBATANBgkqhkiG9w0BAQsFADAfMR0wGwYDVQQDDBRiaXRz\n"
	"cGVlcmF1dGggdGVzdCBDQTAeFw0yNjExMzAyMTE5MjVaFw0yNjEyMzEyMTE5MjVa\n"
	"MB8xHTAbBgNVBAMMFGJpdHNwZWVyYXV0aCB0ZXN0IENBMIIBIjANBgkqhkiG9w0B\n"
	"AQEFAAOCAQ8AMIIBCgKCAQEAnuBMMpSBFbj+JL4SO6V3+odoXMIkHJpeo4n+wJc9\n"
	"T9vLJ9ot2DdcI59DomkELZeQXnZKjmkdrifFWQzQ0/3QD5BQA+vroT38OOmjYIW0\n"
	"RBZ+LE0tl9jUqCbmgwfVOLN8aHdRAW6Nbn1EeHHnAk9v7h2Tsabdeh8OSXuqLkM6\n"
	"38Q2zV7qz8Q71VxkiZL53BBo80NA4g57LC25gZmlfQT6cvWl4awh0STU+PlR0/An\n"
	"Fqjh9QWg6A481h3mt7b+l4LXP/8yG61MoAAxwuTUVyFS5hxDMpWzpAOhV5kOjAEV\n"
	"6Ty55wUxSY4IS+3zIJDJjBaYBixs+mn+HG6wtLi2wkDdIwIDAQABo0IwQDAPBgNV\n"
	"HRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQUfXR0QFdUW9kY\n"
	"QzB00wdcsGRc4g8wDQYJKoZIhvcNAQELBQADggEBAEH+AeybQoxA2z84Ewsv1k4Q\n"
	"6c7H3kO5d4RBeOeVaDbbgiIWrkhsQqNuluZRRXZoOCNXjPqBOLWavKvrbA0etWoS\n"
	"WS5TGCyXlP2qgNBDdTf3iPFUtHxijbYkjDmNQMPkj71xckBGn2c+OVAdKLbm5UrX\n"
	"A3TBRBUo52Unuj6r52f7XTxr1DAdLMg5dvRzEGUY8ccTA8V1dnlgLrnNJLfiHy3e\n"
	"JjZ2ZDA1I7Kf4YIO+Ea+KqSJe0UdqW2hENKSzp/ExpgfcUhBDuheEzliZzSJlrSU\n"
	"NbYOz5CsDVtsSq64gJ0zk3oGerWekTp2dWLK1UGz0jxSUmTkLe6R1C5r9KApTlI=\n"
	"-----END CERTIFICATE-----\n"
;
static const char fuzz_ocsp_leaf_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDNjCCAh6gAwIBAgICEAEwDQYJKoZIhvcNAQELBQAwHzEdMBsGA1UEAwwUYml0\n"
	"c3BlZXJhdXRoIHRlc3QgQ0EwHhcNMjYxMTMwMjExOTI1WhcNMjYxMjMxMjExOTI1\n"
	"WjA4MTYwNAYDVQQDDC1TLTEtNS0yMS0xMDA0MzM2MzQ4LTExNzcyMzg5MTUtNjgy\n"
	"MDAzMzMwLTIwMDAwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQC6hdxd\n"
	"nRTSwrGNBEkQUUwfQ4J3l/AhDJ8qbyquDdT8D213CKWpj8IYTZcrpew3CDGFYbnA\n"
	"GtZGxKkC0IKOzixtZaK9jGIySF3KPG2baogLR1IzGz3ZEMgqe14Yuc6MYEIBA3Cp\n"
	"SbAMBcLWS+PmK3FTVkEZHTjWfFFkRy0q/+hchIjO55VEh8sJgBJqGrlybo9fzH6I\n"
	"afrMZU/lmFXOllyDMIjhfyqouxU1ZHt5j95MxecOqF6QjCZ8uFmQQkDlMHuVaQ/N\n"
	"gwCEB0NH2Vp7n71XB4+SszE+90El2GyqdXAomhyVuN0rwlwjk9PQGEyx+3VU1aY9\n"
	"RIOEHdsNKjGilTdbAgMBAAGjYzBhMAwGA1UdEwEB/wQCMAAwHQYDVR0lBBYwFAYI\n"
	"KwYBBQUHAwIGCCsGAQUFBwMBMDIGCCsGAQUFBwEBBCYwJDAiBggrBgEFBQcwAYYW\n"
	"aHR0cDovLzEyNy4wLjAuMTo4ODg4LzANBgkqhkiG9w0BAQsFAAOCAQEAgKhhrMow\n"
	"SH2cOLTt5sZr2w+7gxLsBMv5TQOTJTb+wtySJaPuiXhUN24x/TatcdmADoi/JJlt\n"
	"39qFDdiFl66PRHon4JV7g64b07GldMm99Ts3HP1jT5U9usgpfSqjJmfJQTJibm6o\n"
	"BNz2mhyGL9E29NeyRGzc1F+V7cWTlUG5VC9tEybKvVzpyrqZDTp4sttNKfsWRn6E\n"
	"DP0h9YJj0/aoDMqqIyd0t2Hz6KlPDYnbmJ04q2yFUtNF8Htb/9l4OqMj+wu4ld3h\n"
	"BYxhJullxsHrjpNewxTsO9x3uVgB1LJ4nWaZ5qLVRjxlCVM5jIjZCb0fbRBbe7r0\n"
	"trzOLYWBVz8JxA==\n"
	"-----END CERTIFICATE-----\n"
;
#endif
