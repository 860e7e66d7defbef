#!/usr/bin/env bash
# check_debian_package.sh BUILD_DIR VERSION APP_ID "ICON SIZES": builds the Debian package of BUILD_DIR with cpack into
# a temporary folder and checks its control fields (what packaging/ZimagePackaging.cmake sets, and the Depends that
# dpkg-shlibdeps computes from the binaries) and its file list (what the install rules install). Exits with 77
# (skipped) when dpkg-deb or dpkg-shlibdeps is missing.
set -uo pipefail
build_dir=$1
version=$2
app_id=$3
read -r -a icon_sizes <<<"$4"

for tool in dpkg-deb dpkg-shlibdeps cpack; do
    if ! command -v "$tool" >/dev/null; then
        echo "Skipped: $tool is not installed (Debian packages dpkg-dev and cmake)."
        exit 77
    fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    echo "FAIL: cpack could not make the package"
    exit 1
fi
shopt -s nullglob
debs=("$work"/zimage-studio_"$version"_*.deb)
if [[ ${#debs[@]} -ne 1 ]]; then
    ls -l "$work"
    echo "FAIL: expected one zimage-studio_${version}_<arch>.deb"
    exit 1
fi
deb=${debs[0]}
dpkg-deb --info "$deb"

status=0
fail() {
    echo "FAIL: $*"
    status=1
}
expect_field() { # NAME VALUE
    local value
    value=$(dpkg-deb --field "$deb" "$1")
    [[ $value == "$2" ]] || fail "$1 is '$value', expected '$2'"
}
expect_field Package zimage-studio
expect_field Version "$version"
expect_field Section graphics
depends=$(dpkg-deb --field "$deb" Depends)
for needed in libqt6widgets6 libqt6sql6-sqlite libtorch; do
    [[ $depends =~ (^|[ ,])$needed ]] || fail "Depends lacks $needed: $depends"
done
recommends=$(dpkg-deb --field "$deb" Recommends)
[[ $recommends == *qt6-translations-l10n* ]] || fail "Recommends lacks qt6-translations-l10n: $recommends"

contents=$(dpkg-deb --contents "$deb" | awk '{ print $6 }')
expected=(
    ./usr/bin/zimage-studio
    ./usr/bin/zimage-cli
    "./usr/share/applications/$app_id.desktop"
    "./usr/share/metainfo/$app_id.metainfo.xml"
    "./usr/share/icons/hicolor/scalable/apps/$app_id.svg"
    ./usr/share/doc/zimage-studio/copyright
)
for size in "${icon_sizes[@]}"; do
    expected+=("./usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png")
done
for file in "${expected[@]}"; do
    grep -qxF "$file" <<<"$contents" || fail "the package lacks $file"
done
echo "$contents" | grep -q '^\./usr/local' && fail "files under /usr/local: the install prefix is not /usr"

[[ $status -eq 0 ]] && echo "OK: $(basename "$deb") has the expected fields and ${#expected[@]} expected files"
exit $status
