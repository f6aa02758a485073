# Installing missing Debian packages, shared by bin/test and bin/run-local (the README's two commands), so that a
# fresh Debian machine needs nothing typed before them. Each script states what it needs with need_command/need_file;
# install_missing then runs apt-get once, only when something is missing (as root, or through sudo).
#
#   source bin/lib/system-packages.sh
#   need_build_tools                      # what building the project needs (both commands build)
#   need_command promtool prometheus      # a command, and the package(s) that provide it
#   install_missing bin/test              # the tag its messages start with

SYSTEM_PACKAGES_MISSING=()

need_command() { # command package... : the packages are needed when the command is not on the PATH
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 || SYSTEM_PACKAGES_MISSING+=("$@")
}

need_file() { # path package... : the packages are needed when the file does not exist
  local path=$1; shift
  [[ -e "$path" ]] || SYSTEM_PACKAGES_MISSING+=("$@")
}

need_build_tools() { # what `mvn package` of every module needs
  need_command javac openjdk-17-jdk-headless
  need_command mvn maven
  # physics compiles its MuJoCo shim with gcc against MuJoCo 2.2.2's headers (and the tests load the library)
  need_command gcc gcc libc6-dev
  need_file /usr/include/mujoco/mujoco.h libmujoco-dev
}

install_missing() { # tag : install SYSTEM_PACKAGES_MISSING (each once) with apt-get, or fail with the line to run
  local tag=$1
  ((${#SYSTEM_PACKAGES_MISSING[@]})) || return 0
  local missing
  missing=$(printf '%s\n' "${SYSTEM_PACKAGES_MISSING[@]}" | awk '!seen[$0]++' | paste -sd' ' -)
  local line="apt-get install -y --no-install-recommends $missing"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[$tag] missing: $missing; no apt-get here: install the equivalent packages (Debian: $line)" >&2
    return 1
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "[$tag] missing: $missing; run as root or install sudo, or run: $line" >&2; return 1; }
    sudo=(sudo)
  fi
  echo "[$tag] installing: $missing ($line)" >&2
  # shellcheck disable=SC2086 # the package names are single words
  "${sudo[@]}" apt-get update -q >&2 &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 ||
    { echo "[$tag] could not install: $missing (run: $line)" >&2; return 1; }
  SYSTEM_PACKAGES_MISSING=()
}
