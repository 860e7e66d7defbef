# Desktop integration (the .desktop file, the AppStream metainfo, the licence) and the Debian package. Included from the
# top-level CMakeLists.txt, after the targets: CPack writes CPackConfig.cmake into the top build folder, where
# `cpack -G DEB` runs. The binaries and the icons install from app/CMakeLists.txt; everything goes under the prefix
# (/usr in the package).
include(GNUInstallDirs)

if(ZIMAGE_BUILD_GUI AND ZIMAGE_WITH_TORCH)
    install(FILES ${CMAKE_CURRENT_LIST_DIR}/${ZIMAGE_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${CMAKE_CURRENT_LIST_DIR}/${ZIMAGE_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()
# Debian keeps each package's licence as /usr/share/doc/<package>/copyright.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/zimage-studio)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zimage-studio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The Z-Image Studio contributors")
set(CPACK_PACKAGE_CONTACT "The Z-Image Studio contributors <zimage-studio@users.noreply.github.com>")
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Generate images locally with Z-Image-Turbo")
# Debian's long description: lines of at most 80 columns.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
    "Z-Image Studio turns a text prompt into an image with the Z-Image-Turbo model,"
    "entirely on your own computer. It plans the model's memory use to fit 8 to 16 GB"
    "graphics cards, keeps every image's parameters so that it can be reproduced from"
    "its seed, and keeps a searchable history. The package also contains zimage-cli,"
    "the command-line generator and benchmark. The model (about 20 GB) is downloaded"
    "separately.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps (package dpkg-dev) computes Depends from the binaries' libraries: LibTorch, Qt, spdlog, libpng, ...
# It needs each library to belong to an installed package, so it cannot package a build against a pip LibTorch.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(ZIMAGE_BUILD_GUI AND ZIMAGE_WITH_TORCH)
    # Loaded at run time, never linked: Qt's SQLite driver (the history). Recommended: Qt's own translations (the
    # standard buttons in Chinese), the native Wayland platform plugin, and a font with Chinese characters (prompts and
    # the Chinese interface show as boxes without one).
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite")
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, qt6-wayland, fonts-noto-cjk | fonts-wqy-microhei")
endif()

include(CPack)
