# Sourced by ringsgd and ringsgd-mpjrun (not a command of its own): where the ringsgd jar is, in either layout.
#
#   source tree           launch/bin/ beside launch/pom.xml: the jar is launch/target/ringsgd.jar, built with Maven
#                         (mvn -q -DskipTests install) when it is missing or older than the sources;
#   binary distribution   bin/ beside lib/ (ringsgd-<version>-bin.tar.gz unpacked anywhere): the jar is
#                         lib/ringsgd.jar, and nothing is ever built.
#
# RINGSGD_JAR=path runs that jar as it is, in either layout. Scripts may be called through symbolic links.
# After sourcing: ringsgd_bin (this directory), ringsgd_src (the source tree's root; empty in a distribution),
# ringsgd_jar; ringsgd_ready makes sure the jar exists (building it if stale) and sets ringsgd_cp (the jar, plus the
# benchmarks module's jar in a source tree where it was built: it adds commands such as experiment);
# ringsgd_build rebuilds the source tree.

ringsgd_bin="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
if [ -f "$ringsgd_bin/../pom.xml" ]; then
  ringsgd_src="$(cd "$ringsgd_bin/../.." && pwd)"
  ringsgd_jar="${RINGSGD_JAR:-$ringsgd_src/launch/target/ringsgd.jar}"
else
  ringsgd_src=""
  ringsgd_jar="${RINGSGD_JAR:-$(cd "$ringsgd_bin/.." && pwd)/lib/ringsgd.jar}"
fi

ringsgd_build() {
  echo "ringsgd: building $ringsgd_src/launch/target/ringsgd.jar (mvn -q -DskipTests install) ..." >&2
  (cd "$ringsgd_src" && mvn -q -B -DskipTests install) >&2
}

ringsgd_stale() {
  [ -n "${RINGSGD_JAR:-}" ] && return 1
  [ ! -f "$ringsgd_jar" ] && return 0
  [ -n "$(find "$ringsgd_src" \( -path '*/src/main/*' -o -name pom.xml \) -newer "$ringsgd_jar" -not -path '*/target/*' \
    -print -quit)" ]
}

ringsgd_ready() {
  if ! command -v java >/dev/null 2>&1; then
    echo "ringsgd: java is not on the PATH: install a JDK 17 or newer (Debian: openjdk-17-jdk-headless)" >&2
    exit 2
  fi
  if [ -n "$ringsgd_src" ]; then
    if ringsgd_stale; then ringsgd_build; fi
  elif [ ! -f "$ringsgd_jar" ]; then
    echo "ringsgd: $ringsgd_jar is missing: this distribution is incomplete, unpack ringsgd-<version>-bin.tar.gz" \
      "again" >&2
    exit 2
  fi
  if [ ! -f "$ringsgd_jar" ]; then
    echo "ringsgd: $ringsgd_jar does not exist (RINGSGD_JAR names a jar that is not there)" >&2
    exit 2
  fi
  ringsgd_cp="$ringsgd_jar"
  if [ -n "$ringsgd_src" ] && [ -z "${RINGSGD_JAR:-}" ]; then
    for extra in "$ringsgd_src"/benchmarks/target/ringsgd-benchmarks-*.jar; do
      case "$extra" in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
      [ -f "$extra" ] && ringsgd_cp="$ringsgd_cp:$extra"
    done
  fi
  return 0
}
