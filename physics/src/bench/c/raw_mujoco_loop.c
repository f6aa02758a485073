// The reference for the physics benchmark: a plain C loop doing what one Java environment step does
// (set 6 controls, 5 physics steps, copy qpos and qvel out), on the model the Java side writes to a file.
// Usage: raw_mujoco_loop MODEL.xml STEPS FRAME_SKIP   -> prints "steps_per_second <value>"
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s MODEL.xml STEPS FRAME_SKIP\n", argv[0]);
    return 2;
  }
  char error[1000] = "";
  mjModel *m = mj_loadXML(argv[1], NULL, error, sizeof(error));
  if (!m) {
    fprintf(stderr, "cannot load %s: %s\n", argv[1], error);
    return 1;
  }
  mjData *d = mj_makeData(m);
  long steps = atol(argv[2]);
  int frameSkip = atoi(argv[3]);
  double *qpos = malloc(sizeof(double) * m->nq), *qvel = malloc(sizeof(double) * m->nv);
  unsigned int seed = 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long s = 0; s < steps; s++) {
    if (s % 1000 == 0) {
      mj_resetData(m, d);
      mj_forward(m, d);
    }
    for (int j = 0; j < m->nu; j++) {
      d->ctrl[j] = 2.0 * rand_r(&seed) / RAND_MAX - 1.0;
    }
    for (int k = 0; k < frameSkip; k++) {
      mj_step(m, d);
    }
    memcpy(qpos, d->qpos, sizeof(double) * m->nq);
    memcpy(qvel, d->qvel, sizeof(double) * m->nv);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("steps_per_second %.1f\n", steps / seconds);
  printf("checksum %.6f\n", qpos[0] + qvel[0]);
  mj_deleteData(d);
  mj_deleteModel(m);
  free(qpos);
  free(qvel);
  return 0;
}
