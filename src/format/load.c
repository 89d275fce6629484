/* Loading a model: map or borrow the bytes, verify and decode them once.
 *
 * The file is mapped MAP_PRIVATE read-only. Like every mmap-based loader,
 * this assumes nobody truncates the file while the model lives (that
 * would raise SIGBUS on access); models are read-only artifacts. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/model.h"
#include "util/error.h"
#include "util/pool.h"

void pnn_model_free(pnn_model *model) {
  if (!model) return;
  if (model->pool) {
    pnn_pool_free(model->pool);
    free(model->pool);
  }
  if (model->mapping) munmap(model->mapping, model->mapping_size);
  free(model->owned_copy);
  free(model);
}

/* Takes a model whose bytes/size/mapping/owned_copy are set, decodes it, and
 * frees it on failure. */
static pnn_status finish_load(pnn_model *m, pnn_model **out, char *err,
                              size_t err_size) {
  m->pool = malloc(sizeof(pnn_pool));
  if (!m->pool) {
    pnn_model_free(m);
    pnn_set_err(err, err_size, "out of memory loading the model");
    return PNN_ERROR_OUT_OF_MEMORY;
  }
  pnn_pool_init(m->pool);
  pnn_status st =
      pnn_model_decode(m->bytes, m->size, m->pool, &m->def, err, err_size);
  if (st != PNN_OK) {
    pnn_model_free(m);
    return st;
  }
  *out = m;
  return PNN_OK;
}

static pnn_status check_cap(const pnn_load_options *opts, uint64_t size,
                            const char *what, char *err, size_t err_size) {
  if (opts && opts->max_file_bytes && size > opts->max_file_bytes) {
    pnn_set_err(err, err_size, "%s is %llu bytes, above the %llu-byte limit",
                what, (unsigned long long)size,
                (unsigned long long)opts->max_file_bytes);
    return PNN_ERROR_LIMIT;
  }
  return PNN_OK;
}

pnn_status pnn_model_load_file(const char *path, const pnn_load_options *opts,
                               pnn_model **out, char *err, size_t err_size) {
  if (err && err_size) err[0] = '\0';
  if (!out) {
    pnn_set_err(err, err_size, "pnn_model_load_file: out is NULL");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  *out = NULL;
  if (!path) {
    pnn_set_err(err, err_size, "pnn_model_load_file: path is NULL");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    pnn_set_err(err, err_size, "cannot open %s: %s", path, strerror(errno));
    return PNN_ERROR_IO;
  }
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    pnn_set_err(err, err_size, "cannot stat %s: %s", path, strerror(errno));
    close(fd);
    return PNN_ERROR_IO;
  }
  if (!S_ISREG(sb.st_mode)) {
    pnn_set_err(err, err_size, "%s is not a regular file", path);
    close(fd);
    return PNN_ERROR_IO;
  }
  pnn_status st = check_cap(opts, (uint64_t)sb.st_size, path, err, err_size);
  if (st != PNN_OK) {
    close(fd);
    return st;
  }
  if ((uint64_t)sb.st_size > SIZE_MAX || sb.st_size < 8) {
    pnn_set_err(err, err_size, "%s is %lld bytes, too small for a TFLite model",
                path, (long long)sb.st_size);
    close(fd);
    return sb.st_size < 8 ? PNN_ERROR_INVALID_MODEL : PNN_ERROR_LIMIT;
  }
  size_t size = (size_t)sb.st_size;
  void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int map_errno = errno;
  close(fd); /* the mapping keeps the file alive */
  if (map == MAP_FAILED) {
    pnn_set_err(err, err_size, "cannot map %s: %s", path, strerror(map_errno));
    return PNN_ERROR_IO;
  }
  pnn_model *m = calloc(1, sizeof(*m));
  if (!m) {
    munmap(map, size);
    pnn_set_err(err, err_size, "out of memory loading %s", path);
    return PNN_ERROR_OUT_OF_MEMORY;
  }
  m->bytes = map;
  m->size = size;
  m->mapping = map;
  m->mapping_size = size;
  return finish_load(m, out, err, err_size);
}

pnn_status pnn_model_load_buffer(const void *data, size_t size,
                                 const pnn_load_options *opts, pnn_model **out,
                                 char *err, size_t err_size) {
  if (err && err_size) err[0] = '\0';
  if (!out) {
    pnn_set_err(err, err_size, "pnn_model_load_buffer: out is NULL");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  *out = NULL;
  if (!data && size) {
    pnn_set_err(err, err_size, "pnn_model_load_buffer: data is NULL");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  pnn_status st = check_cap(opts, size, "model buffer", err, err_size);
  if (st != PNN_OK) return st;
  pnn_model *m = calloc(1, sizeof(*m));
  if (!m) {
    pnn_set_err(err, err_size, "out of memory loading the model");
    return PNN_ERROR_OUT_OF_MEMORY;
  }
  if (opts && (opts->flags & PNN_LOAD_COPY) && size) {
    /* 16-byte alignment keeps constant buffers usable in place. */
    size_t rounded = (size + 15) & ~(size_t)15;
    if (rounded < size || !(m->owned_copy = aligned_alloc(16, rounded))) {
      free(m);
      pnn_set_err(err, err_size, "out of memory copying a %zu-byte model",
                  size);
      return PNN_ERROR_OUT_OF_MEMORY;
    }
    memcpy(m->owned_copy, data, size);
    m->bytes = m->owned_copy;
  } else {
    m->bytes = data;
  }
  m->size = size;
  return finish_load(m, out, err, err_size);
}

uint32_t pnn_model_schema_version(const pnn_model *model) {
  return model ? model->def.version : 0;
}

const char *pnn_model_description(const pnn_model *model) {
  if (!model || !model->def.description) return "";
  return model->def.description;
}

int pnn_model_subgraph_count(const pnn_model *model) {
  return model ? model->def.n_subgraphs : 0;
}
