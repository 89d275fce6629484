/* Unit tests of the CLI's .npy reader/writer (cli/npy.c), including
 * malformed headers. The CLI sources are not in the library, so the file
 * under test is compiled into this binary directly. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/npy.c"
#include "harness.h"

/* Builds a .npy image: magic, version, header (padded by the caller's
 * text as given, plus '\n'), then `data_len` bytes of data. */
static size_t make_npy(uint8_t *buf, size_t cap, int major, const char *dict,
                       size_t data_len) {
  size_t dl = strlen(dict);
  int lb = major == 1 ? 2 : 4;
  size_t hlen = dl + 1, pos = 0;
  if (8 + (size_t)lb + hlen + data_len > cap) return 0;
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = (uint8_t)major;
  buf[7] = 0;
  for (int i = 0; i < lb; i++) buf[8 + i] = (uint8_t)(hlen >> (8 * i));
  pos = 8 + (size_t)lb;
  memcpy(buf + pos, dict, dl);
  buf[pos + dl] = '\n';
  pos += hlen;
  for (size_t i = 0; i < data_len; i++) buf[pos + i] = (uint8_t)i;
  return pos + data_len;
}

static int parse_dict_str(int major, const char *dict, size_t data_len,
                          npy_array *a, char *err, size_t err_size) {
  static uint8_t buf[4096];
  size_t n = make_npy(buf, sizeof buf, major, dict, data_len);
  if (!n) return -2;
  return npy_parse(buf, n, a, err, err_size);
}

TEST(npy_parses_numpy_style_header) {
  npy_array a;
  char err[256];
  int rc = parse_dict_str(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   ", 24,
      &a, err, sizeof err);
  CHECK_MSG(rc == 0, "%s", err);
  CHECK_EQ_INT(a.type, PNN_TYPE_FLOAT32);
  CHECK_EQ_INT(a.rank, 2);
  CHECK_EQ_INT(a.dims[0], 2);
  CHECK_EQ_INT(a.dims[1], 3);
  CHECK_EQ_INT(a.count, 6);
  CHECK_EQ_INT(a.nbytes, 24);
  CHECK_EQ_INT(((uint8_t *)a.data)[5], 5);
  npy_free(&a);
}

TEST(npy_parses_versions_2_and_3_and_odd_spacing) {
  npy_array a;
  char err[256];
  int rc = parse_dict_str(
      2, "{\"shape\":(4,),\"fortran_order\":False,\"descr\":\"|u1\"}", 4, &a,
      err, sizeof err);
  CHECK_MSG(rc == 0, "%s", err);
  CHECK_EQ_INT(a.type, PNN_TYPE_UINT8);
  CHECK_EQ_INT(a.rank, 1);
  CHECK_EQ_INT(a.dims[0], 4);
  npy_free(&a);
  rc = parse_dict_str(3,
                      "{'descr': '<i8', 'fortran_order': False, 'shape': "
                      "(), }",
                      8, &a, err, sizeof err);
  CHECK_MSG(rc == 0, "%s", err);
  CHECK_EQ_INT(a.type, PNN_TYPE_INT64);
  CHECK_EQ_INT(a.rank, 0);
  CHECK_EQ_INT(a.count, 1);
  npy_free(&a);
}

TEST(npy_zero_sized_array) {
  npy_array a;
  char err[256];
  int rc = parse_dict_str(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", 0, &a,
      err, sizeof err);
  CHECK_MSG(rc == 0, "%s", err);
  CHECK_EQ_INT(a.count, 0);
  CHECK_EQ_INT(a.nbytes, 0);
  npy_free(&a);
}

TEST(npy_every_dtype_descr) {
  static const struct {
    const char *descr;
    pnn_type type;
  } cases[] = {{"<f4", PNN_TYPE_FLOAT32}, {"<f2", PNN_TYPE_FLOAT16},
               {"<f8", PNN_TYPE_FLOAT64}, {"|i1", PNN_TYPE_INT8},
               {"|u1", PNN_TYPE_UINT8},   {"<i2", PNN_TYPE_INT16},
               {"<u2", PNN_TYPE_UINT16},  {"<i4", PNN_TYPE_INT32},
               {"<u4", PNN_TYPE_UINT32},  {"<i8", PNN_TYPE_INT64},
               {"<u8", PNN_TYPE_UINT64},  {"|b1", PNN_TYPE_BOOL},
               {"i1", PNN_TYPE_INT8},     {"=f4", PNN_TYPE_FLOAT32}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pnn_type t;
    CHECK_MSG(npy_descr_type(cases[i].descr, &t) == 0, "descr %s",
              cases[i].descr);
    CHECK_MSG(t == cases[i].type, "descr %s", cases[i].descr);
  }
  static const char *bad[] = {">f4", "|f4", "<c8", "<f16", "<U10",
                              "O",   "",    "<",   "<b2",  "<i3"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    pnn_type t;
    CHECK_MSG(npy_descr_type(bad[i], &t) != 0, "descr '%s' accepted", bad[i]);
  }
}

/* Each malformed header must be rejected with a message containing
 * `needle`. */
TEST(npy_rejects_malformed_headers) {
  static const struct {
    const char *dict;
    size_t data;
    const char *needle;
  } cases[] = {
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8,
       "Fortran"},
      {"{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "dtype"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8,
       "structured"},
      {"{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16,
       "dtype"},
      {"{'fortran_order': False, 'shape': (2,), }", 8, "descr"},
      {"{'descr': '<f4', 'shape': (2,), }", 8, "fortran_order"},
      {"{'descr': '<f4', 'fortran_order': False, }", 8, "shape"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': "
       "(2,)}",
       8, "repeated"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8,
       "unexpected"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8,
       "non-negative"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 8,
       "shape"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': 2, }", 8, "tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,3, }", 24,
       "shape"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)"
       "}",
       4, "dimensions"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}", 4,
       "too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, "
       "2147483647, 2147483647)}",
       4, "overflow"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", 8,
       "junk"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", 8,
       "unsupported dtype"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", 8, "','"},
      {"{'descr': '<f4', 'fortran_order': Nope, 'shape': (2,), }", 8,
       "True or False"},
      {"['descr', '<f4']", 8, "'{'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 7,
       "data is 7 bytes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 9,
       "data is 9 bytes"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8, "header"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    npy_array a;
    char err[256] = "";
    int rc =
        parse_dict_str(1, cases[i].dict, cases[i].data, &a, err, sizeof err);
    CHECK_MSG(rc == -1, "case %zu accepted: %s", i, cases[i].dict);
    CHECK_MSG(strstr(err, cases[i].needle) != NULL,
              "case %zu: message '%s' lacks '%s'", i, err, cases[i].needle);
    CHECK(a.data == NULL);
  }
}

TEST(npy_rejects_bad_preamble) {
  uint8_t buf[256];
  char err[256];
  npy_array a;
  size_t n = make_npy(buf, sizeof buf, 1,
                      "{'descr': '<f4', 'fortran_order': False, 'shape': "
                      "(1,), }",
                      4);
  CHECK(npy_parse(buf, n, &a, err, sizeof err) == 0);
  npy_free(&a);
  buf[1] = 'X'; /* magic */
  CHECK(npy_parse(buf, n, &a, err, sizeof err) == -1);
  CHECK(strstr(err, "magic") != NULL);
  buf[1] = 'N';
  buf[6] = 4; /* version 4.0 does not exist */
  CHECK(npy_parse(buf, n, &a, err, sizeof err) == -1);
  CHECK(strstr(err, "version 4.0") != NULL);
  buf[6] = 1;
  buf[7] = 1;
  CHECK(npy_parse(buf, n, &a, err, sizeof err) == -1);
  buf[7] = 0;
  buf[8] = 0xff; /* header length past the end */
  buf[9] = 0xff;
  CHECK(npy_parse(buf, n, &a, err, sizeof err) == -1);
  CHECK(strstr(err, "exceeds") != NULL);
  /* Header length that cuts the dict before its newline. */
  buf[8] = 20;
  buf[9] = 0;
  CHECK(npy_parse(buf, n, &a, err, sizeof err) == -1);
  CHECK(npy_parse(NULL, 0, &a, err, sizeof err) == -1);
}

/* A valid file truncated at every length must fail cleanly. */
TEST(npy_rejects_every_truncation) {
  uint8_t buf[256];
  int64_t dims[2] = {3, 2};
  size_t h = npy_encode_header(PNN_TYPE_INT16, dims, 2, buf, sizeof buf);
  CHECK(h == 128); /* numpy pads to a multiple of 64 */
  memset(buf + h, 7, 12);
  size_t n = h + 12;
  npy_array a;
  char err[256];
  CHECK(npy_parse(buf, n, &a, err, sizeof err) == 0);
  npy_free(&a);
  for (size_t len = 0; len < n; len++) {
    uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees overreads */
    CHECK(copy != NULL);
    memcpy(copy, buf, len);
    int rc = npy_parse(copy, len, &a, err, sizeof err);
    free(copy);
    CHECK_MSG(rc == -1, "truncated at %zu accepted", len);
  }
}

TEST(npy_header_encoding_matches_numpy_layout) {
  uint8_t buf[256];
  int64_t d1[1] = {5};
  size_t h = npy_encode_header(PNN_TYPE_FLOAT32, d1, 1, buf, sizeof buf);
  CHECK(h == 128);
  CHECK(buf[h - 1] == '\n');
  const char *want =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }";
  CHECK(memcmp(buf + 10, want, strlen(want)) == 0);
  h = npy_encode_header(PNN_TYPE_BOOL, NULL, 0, buf, sizeof buf);
  CHECK(h == 128);
  CHECK(strstr((const char *)buf + 10, "'shape': ()") != NULL);
  CHECK(npy_encode_header(PNN_TYPE_STRING, d1, 1, buf, sizeof buf) == 0);
  CHECK(npy_encode_header(PNN_TYPE_FLOAT32, d1, 1, buf, 32) == 0);
  int64_t neg[1] = {-1};
  CHECK(npy_encode_header(PNN_TYPE_FLOAT32, neg, 1, buf, sizeof buf) == 0);
}

TEST(npy_file_round_trip_every_type) {
  static const pnn_type types[] = {
      PNN_TYPE_FLOAT32, PNN_TYPE_FLOAT16, PNN_TYPE_FLOAT64, PNN_TYPE_INT8,
      PNN_TYPE_UINT8,   PNN_TYPE_INT16,   PNN_TYPE_UINT16,  PNN_TYPE_INT32,
      PNN_TYPE_UINT32,  PNN_TYPE_INT64,   PNN_TYPE_UINT64,  PNN_TYPE_BOOL};
  char path[] = "/tmp/pnn_test_npy_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  close(fd);
  int64_t dims[3] = {2, 3, 4};
  uint8_t data[24 * 8];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7 + 1);
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    char err[256];
    CHECK_MSG(
        npy_write_file(path, types[i], dims, 3, data, err, sizeof err) == 0,
        "%s", err);
    npy_array a;
    int rc = npy_read_file(path, &a, err, sizeof err);
    CHECK_MSG(rc == 0, "type %d: %s", (int)types[i], err);
    CHECK(a.type == types[i]);
    CHECK(a.rank == 3 && a.dims[0] == 2 && a.dims[1] == 3 && a.dims[2] == 4);
    CHECK(a.count == 24);
    CHECK(memcmp(a.data, data, a.nbytes) == 0);
    npy_free(&a);
  }
  unlink(path);
  npy_array a;
  char err[256];
  CHECK(npy_read_file("/nonexistent/x.npy", &a, err, sizeof err) == -1);
  CHECK(strstr(err, "/nonexistent/x.npy") != NULL);
}
