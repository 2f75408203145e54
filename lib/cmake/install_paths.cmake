# Runs at install time (install(CODE) in lib/cmake/install.cmake sets the TM_* variables):
# installs the files that name installed paths, rewritten for the prefix of this install.
# DESTDIR is honoured by file(INSTALL); the paths written into the files never include it.

# A GNUInstallDirs directory as install() resolves it: relative ones are below the prefix.
function(tm_full_path out dir)
    if(IS_ABSOLUTE "${dir}")
        set(${out} "${dir}" PARENT_SCOPE)
    else()
        set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
    endif()
endfunction()
tm_full_path(tm_datadir "${TM_DATADIR}")
tm_full_path(tm_sysconfdir "${TM_SYSCONFDIR}")
tm_full_path(tm_localstatedir "${TM_LOCALSTATEDIR}")

# tm_install_rewritten(SOURCE DESTINATION NAME PERMISSION...): SOURCE with the configuration
# and log folders of this install, as DESTINATION/NAME.
function(tm_install_rewritten source destination name)
    file(READ "${source}" text)
    string(REPLACE "/etc/tm/" "${tm_sysconfdir}/tm/" text "${text}")
    string(REPLACE "/var/log/tm/" "${tm_localstatedir}/log/tm/" text "${text}")
    string(MD5 slot "${destination}")
    file(WRITE "${TM_STAGING}/${slot}/${name}" "${text}")
    file(INSTALL "${TM_STAGING}/${slot}/${name}" DESTINATION "${destination}"
         PERMISSIONS ${ARGN})
endfunction()

tm_install_rewritten("${TM_LOGROTATE}" "${tm_sysconfdir}/logrotate.d" tm
                     OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# tm.env is the admin's once installed (it holds their keys): never overwritten. Owner-only,
# since it will hold secrets.
set(tm_env "${tm_sysconfdir}/tm/tm.env")
if(EXISTS "$ENV{DESTDIR}${tm_env}")
    message(STATUS "Keeping: $ENV{DESTDIR}${tm_env} (yours; the pristine copy is in the "
                   "documentation's examples/)")
else()
    tm_install_rewritten("${TM_ENV}" "${tm_sysconfdir}/tm" tm.env OWNER_READ OWNER_WRITE)
endif()

# bash-completion loads a completion by the name of the program being completed: tm-pull
# finds tm's through a link.
set(tm_completions "${tm_datadir}/bash-completion/completions")
foreach(program ${TM_PROGRAMS})
    if(program STREQUAL "tm")
        continue()
    endif()
    set(link "$ENV{DESTDIR}${tm_completions}/${program}")
    message(STATUS "Installing: ${link} -> tm")
    file(CREATE_LINK tm "${link}" SYMBOLIC)
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${tm_completions}/${program}")
endforeach()
