/* Record layouts shared by the zip reader and writer (PKWARE APPNOTE 6.3). Private to
 * zip.c and zip_write.c. */
#ifndef NS_ZIP_FORMAT_H
#define NS_ZIP_FORMAT_H

#define ZIP_SIG_LFH	     0x04034b50u /* "PK\3\4" local file header */
#define ZIP_SIG_CDH	     0x02014b50u /* "PK\1\2" central directory header */
#define ZIP_SIG_EOCD	     0x06054b50u /* "PK\5\6" end of central directory */
#define ZIP_SIG_Z64_LOCATOR  0x07064b50u /* "PK\6\7" ZIP64 end record locator */
#define ZIP_LFH_SIZE	     30
#define ZIP_CDH_SIZE	     46
#define ZIP_EOCD_SIZE	     22
#define ZIP_Z64_LOCATOR_SIZE 20

#define ZIP_FLAG_ENCRYPTED	 0x0001
#define ZIP_FLAG_DATA_DESCRIPTOR 0x0008
#define ZIP_FLAG_UTF8		 0x0800

#define ZIP_EXTRA_ZIP64	    0x0001
#define ZIP_EXTRA_ALIGNMENT 0xa11e /* APPNOTE 4.6.11 data stream alignment */

/* What zip 2.2.0 writes for a stored file without the "time" feature. */
#define ZIP_VERSION_NEEDED  10	   /* PKZIP 1.0 */
#define ZIP_VERSION_MADE_BY 0x030a /* Unix, 1.0 */
#define ZIP_DOS_TIME	    0x0000
#define ZIP_DOS_DATE	    0x0021	/* 1980-01-01 */
#define ZIP_EXTERNAL_ATTR   0x81a40000u /* S_IFREG | 0644 in the high half */

/* Beyond these, sizes and offsets need ZIP64. */
#define ZIP_U32_LIMIT 0xffffffffull

#endif
