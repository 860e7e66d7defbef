# zimage_add_app_icons(TARGET <target> SVG <file> NAME <icon name>)
# The application icon's SVG is its only source: the build renders the PNG sizes of the hicolor theme from it with
# rsvg-convert (Debian: librsvg2-bin), embeds them in <target> as :/icons/<size>.png (the window icon when no icon
# theme has ours) and installs the SVG and the PNGs as <icon name> into the hicolor icon theme.
set(ZIMAGE_ICON_SIZES 16 32 48 64 128 256 512)

function(zimage_add_app_icons)
    cmake_parse_arguments(ARG "" "TARGET;SVG;NAME" "" ${ARGN})
    find_program(ZIMAGE_RSVG_CONVERT rsvg-convert)
    if(NOT ZIMAGE_RSVG_CONVERT)
        message(FATAL_ERROR "rsvg-convert is needed to render the application icon from ${ARG_SVG}: install "
                            "librsvg2-bin (Debian, Ubuntu) or librsvg2-tools (Fedora), or build with -DZIMAGE_BUILD_GUI=OFF")
    endif()
    set(icon_dir "${CMAKE_CURRENT_BINARY_DIR}/icons")
    file(MAKE_DIRECTORY "${icon_dir}")
    set(pngs "")
    foreach(size IN LISTS ZIMAGE_ICON_SIZES)
        set(png "${icon_dir}/${size}.png")
        add_custom_command(OUTPUT "${png}"
            COMMAND "${ZIMAGE_RSVG_CONVERT}" --width ${size} --height ${size} --output "${png}" "${ARG_SVG}"
            DEPENDS "${ARG_SVG}"
            COMMENT "Rendering the ${size} px application icon"
            VERBATIM)
        list(APPEND pngs "${png}")
        install(FILES "${png}" RENAME "${ARG_NAME}.png"
                DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps")
    endforeach()
    qt_add_resources(${ARG_TARGET} "${ARG_TARGET}_icons" PREFIX /icons BASE "${icon_dir}" FILES ${pngs})
    install(FILES "${ARG_SVG}" RENAME "${ARG_NAME}.svg" DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps")
endfunction()
