#include "format_models.h"

#include <stdio.h>
#include <stdlib.h>

const char *const fm_models[14] = {
    FM_DIR "face_detection/face_detection_full_range_sparse.tflite",
    FM_DIR "face_detection/face_detection_short_range.tflite",
    FM_DIR "face_landmark/face_landmark.tflite",
    FM_DIR "face_landmark/face_landmark_with_attention.tflite",
    FM_DIR "hand_landmark/hand_landmark_full.tflite",
    FM_DIR "hand_landmark/hand_landmark_lite.tflite",
    FM_DIR "holistic_landmark/hand_recrop.tflite",
    FM_DIR "iris_landmark/iris_landmark.tflite",
    FM_DIR "palm_detection/palm_detection_full.tflite",
    FM_DIR "palm_detection/palm_detection_lite.tflite",
    FM_DIR "pose_detection/pose_detection.tflite",
    FM_DIR "pose_landmark/pose_landmark_full.tflite",
    FM_DIR "selfie_segmentation/selfie_segmentation.tflite",
    FM_DIR "selfie_segmentation/selfie_segmentation_landscape.tflite",
};

uint8_t *fm_read_file(const char *path, size_t *size) {
  *size = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
      buf = malloc(n ? (size_t)n : 1);
      if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
      } else if (buf) {
        *size = (size_t)n;
      }
    }
  }
  fclose(f);
  return buf;
}
