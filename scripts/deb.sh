#!/usr/bin/env bash
# deb.sh VERSION STAGE OUT makes OUT/supvisors_VERSION_ARCH.deb with dpkg-deb
# (make deb runs it): STAGE/root/usr/bin holds the binaries to ship,
# STAGE/gendoc gendoc builds of them (they write the man pages and
# completions), packaging/deb/ the rest. The package's files are laid out in
# STAGE/root, which is left there to look at. SOURCE_DATE_EPOCH (by default
# the last commit's date) dates the changelog, the man pages and the files,
# so that a build is reproducible.
set -euo pipefail

[ $# = 3 ] || { echo "usage: $0 VERSION STAGE OUT" >&2; exit 2; }
version=$1 stage=$2 out=$3
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/packaging/deb
root=$stage/root
doc=$root/usr/share/doc/supvisors

# Go's architecture names, as Debian's.
go=${GO:-go}
goarch=$("$go" env GOARCH)
case $goarch in
amd64 | arm64 | riscv64 | s390x | loong64) arch=$goarch ;;
386) arch=i386 ;;
ppc64le) arch=ppc64el ;;
*) echo "$0: no Debian architecture for GOARCH=$goarch" >&2; exit 1 ;;
esac
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${DEB_MAINTAINER:-supvisors-go maintainers <maintainers@supvisors.invalid>}

install -d -m 755 "$root/etc/supvisors/conf.d" "$root/lib/systemd/system" "$root/var/log/supvisors" \
	"$root/usr/share/man/man1" "$root/usr/share/bash-completion/completions" \
	"$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d" "$doc" \
	"$root/usr/share/lintian/overrides"
install -m 644 "$src/supervisord.conf" "$root/etc/supvisors/"
install -m 644 "$src/supvisors.service" "$root/lib/systemd/system/"
install -m 644 "$src/lintian-overrides" "$root/usr/share/lintian/overrides/supvisors"

for cmd in supvisors supvisorsctl; do
	gen=$stage/gendoc/$cmd.doc
	"$stage/gendoc/$cmd" "$gen"
	install -m 644 "$gen"/man1/*.1 "$root/usr/share/man/man1/"
	install -m 644 "$gen/bash/$cmd" "$root/usr/share/bash-completion/completions/"
	install -m 644 "$gen/zsh/_$cmd" "$root/usr/share/zsh/vendor-completions/"
	install -m 644 "$gen/fish/$cmd.fish" "$root/usr/share/fish/vendor_completions.d/"
done
gzip -9nf "$root"/usr/share/man/man1/*.1

# A native package: its changelog is changelog.gz, one entry per release.
{
	printf 'supvisors (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Release %s: see /usr/share/doc/supvisors/README.md.gz.\n\n' "$version"
	printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
gzip -9n <"$here/README.md" >"$doc/README.md.gz"
{
	cat "$src/copyright"
	"$go" version -m "$root/usr/bin/supvisors" "$root/usr/bin/supvisorsctl" |
		awk '$1 == "dep" { print " " $2 " " $3 }' | sort -u
} >"$doc/copyright"
chmod 644 "$doc"/*

# The control files: scripts, conffiles, md5sums of every file but them.
rm -rf "$root/DEBIAN"
install -d -m 755 "$root/DEBIAN"
install -m 755 "$src/postinst" "$src/prerm" "$src/postrm" "$root/DEBIAN/"
install -m 644 "$src/conffiles" "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/md5sums"
size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
	-e "s|@INSTALLED_SIZE@|$size|" "$src/control" >"$root/DEBIAN/control"
chmod 644 "$root/DEBIAN/control"

mkdir -p "$out"
deb=$out/supvisors_${version}_$arch.deb
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
