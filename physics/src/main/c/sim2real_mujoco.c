// sim2real's shim over MuJoCo 2.2 (Debian's libmujoco): what Java calls through JNA direct mapping.
//
// MuJoCo reports fatal errors through mju_user_error and expects the handler not to return. Each shim
// entry point that calls MuJoCo sets a thread-local recovery point; the handler copies the message and
// jumps back to it, so an error becomes a non-zero return code with a message instead of exit().
#include <mujoco/mujoco.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S2R_OK 0
#define S2R_ERROR 1
#define S2R_UNSTABLE 2

static __thread jmp_buf *s2r_recovery = NULL;
static __thread char s2r_last_error[1024];

static void s2r_on_error(const char *msg) {
  strncpy(s2r_last_error, msg ? msg : "unknown MuJoCo error", sizeof(s2r_last_error) - 1);
  s2r_last_error[sizeof(s2r_last_error) - 1] = '\0';
  if (s2r_recovery != NULL) {
    longjmp(*s2r_recovery, 1);
  }
  // Outside a guarded call there is nothing safe to return to; MuJoCo would exit, and so must we.
  abort();
}

static void s2r_on_warning(const char *msg) {
  // Warnings are counted in mjData.warning and checked after each step; nothing to print.
  (void)msg;
}

#define GUARD_BEGIN                  \
  jmp_buf guard;                     \
  jmp_buf *outer = s2r_recovery;     \
  s2r_last_error[0] = '\0';          \
  if (setjmp(guard) != 0) {          \
    s2r_recovery = outer;            \
    return S2R_ERROR;                \
  }                                  \
  s2r_recovery = &guard;
#define GUARD_END s2r_recovery = outer;

int s2r_init(void) {
  mju_user_error = s2r_on_error;
  mju_user_warning = s2r_on_warning;
  return mj_version();
}

const char *s2r_last_error_message(void) { return s2r_last_error; }

// Compiles a model from MJCF text. Returns S2R_OK and the handle in *out, or S2R_ERROR with the reason
// in s2r_last_error_message().
int s2r_model_load(const char *xml, int64_t *out) {
  *out = 0;
  mjVFS *vfs = (mjVFS *)malloc(sizeof(mjVFS));
  if (vfs == NULL) {
    strcpy(s2r_last_error, "out of memory for the model's virtual file system");
    return S2R_ERROR;
  }
  GUARD_BEGIN
  mj_defaultVFS(vfs);
  int len = (int)strlen(xml);
  if (mj_makeEmptyFileVFS(vfs, "model.xml", len) != 0) {
    free(vfs);
    GUARD_END
    strcpy(s2r_last_error, "cannot create the model file in the virtual file system");
    return S2R_ERROR;
  }
  int index = mj_findFileVFS(vfs, "model.xml");
  memcpy(vfs->filedata[index], xml, len);
  char error[1000] = "";
  mjModel *m = mj_loadXML("model.xml", vfs, error, sizeof(error));
  mj_deleteVFS(vfs);
  free(vfs);
  GUARD_END
  if (m == NULL) {
    strncpy(s2r_last_error, error[0] ? error : "mj_loadXML failed", sizeof(s2r_last_error) - 1);
    return S2R_ERROR;
  }
  *out = (int64_t)(intptr_t)m;
  return S2R_OK;
}

void s2r_model_free(int64_t model) { mj_deleteModel((mjModel *)(intptr_t)model); }

// Sizes: nq, nv, nu, nbody, ngeom; and the timestep.
void s2r_model_sizes(int64_t model, int *out5, double *timestep) {
  const mjModel *m = (const mjModel *)(intptr_t)model;
  out5[0] = m->nq;
  out5[1] = m->nv;
  out5[2] = m->nu;
  out5[3] = m->nbody;
  out5[4] = m->ngeom;
  *timestep = m->opt.timestep;
}

void s2r_model_qpos0(int64_t model, double *out) {
  const mjModel *m = (const mjModel *)(intptr_t)model;
  memcpy(out, m->qpos0, sizeof(double) * m->nq);
}

void s2r_model_gravity(int64_t model, double *out3) {
  const mjModel *m = (const mjModel *)(intptr_t)model;
  memcpy(out3, m->opt.gravity, sizeof(double) * 3);
}

// mjOBJ_BODY = 1, mjOBJ_GEOM = 5, mjOBJ_JOINT = 3, mjOBJ_ACTUATOR = 19 (see mjtObj).
int s2r_model_name2id(int64_t model, int type, const char *name) {
  return mj_name2id((const mjModel *)(intptr_t)model, type, name);
}

void s2r_model_geom_size(int64_t model, int geom, double *out3) {
  const mjModel *m = (const mjModel *)(intptr_t)model;
  memcpy(out3, m->geom_size + 3 * geom, sizeof(double) * 3);
}

double s2r_model_body_mass(int64_t model, int body) {
  return ((const mjModel *)(intptr_t)model)->body_mass[body];
}

int64_t s2r_data_new(int64_t model) {
  return (int64_t)(intptr_t)mj_makeData((const mjModel *)(intptr_t)model);
}

void s2r_data_free(int64_t data) { mj_deleteData((mjData *)(intptr_t)data); }

// Resets to the given state (mj_resetData first, so a replay is exact) and computes derived quantities.
int s2r_reset(int64_t model, int64_t data, const double *qpos, const double *qvel) {
  const mjModel *m = (const mjModel *)(intptr_t)model;
  mjData *d = (mjData *)(intptr_t)data;
  GUARD_BEGIN
  mj_resetData(m, d);
  memcpy(d->qpos, qpos, sizeof(double) * m->nq);
  memcpy(d->qvel, qvel, sizeof(double) * m->nv);
  mj_forward(m, d);
  GUARD_END
  return S2R_OK;
}

// Steps n environments (each its own model and data) frameSkip physics steps under the given controls,
// then copies their states out. ctrl is n*nu, qpos n*nq, qvel n*nv; status[i] is S2R_OK, or
// S2R_UNSTABLE when MuJoCo found a bad acceleration and reset that env's data during the step.
int s2r_step_many(int n, const int64_t *models, const int64_t *datas, const double *ctrl, int frameSkip,
                  double *qpos, double *qvel, int *status) {
  GUARD_BEGIN
  for (int i = 0; i < n; i++) {
    const mjModel *m = (const mjModel *)(intptr_t)models[i];
    mjData *d = (mjData *)(intptr_t)datas[i];
    int bad = d->warning[mjWARN_BADQACC].number;
    memcpy(d->ctrl, ctrl + (size_t)i * m->nu, sizeof(double) * m->nu);
    for (int k = 0; k < frameSkip; k++) {
      mj_step(m, d);
    }
    status[i] = d->warning[mjWARN_BADQACC].number != bad ? S2R_UNSTABLE : S2R_OK;
    memcpy(qpos + (size_t)i * m->nq, d->qpos, sizeof(double) * m->nq);
    memcpy(qvel + (size_t)i * m->nv, d->qvel, sizeof(double) * m->nv);
  }
  GUARD_END
  return S2R_OK;
}
