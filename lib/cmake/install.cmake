# `cmake --install`: where a Debian admin looks for each part (paths below the prefix, default
# /usr/local; configuration and logs in /etc and /var, see the top-level CMakeLists.txt):
#   bin/tm, bin/tm-*                                 the programs
#   share/man/man1/tm.1, tm-*.1                      man pages (help2man, from --help)
#   share/bash-completion/completions/tm (+ tm-*)    bash completion (from --help)
#   share/tm/schema/, share/tm/config/               migrations (also built in), example configs
#   share/tm/crontab/, share/tm/scripts/             the schedules (cron, systemd units) as
#                                                    templates, and install-schedule, which
#                                                    checks and installs them for this tm
#   share/tm/demo/defillama/                         the recording scripts/quickstart replays
#   share/doc/tm/README.md, examples/tm.env          the manual, the pristine tm.env
#   $SYSCONFDIR/tm/tm.env                            every variable, commented (never overwritten)
#   $SYSCONFDIR/logrotate.d/tm                       rotation of /var/log/tm (the alert log)
#   $LOCALSTATEDIR/log/tm/                           the alert log's folder
find_program(HELP2MAN help2man)
if(NOT HELP2MAN)
    message(FATAL_ERROR "help2man not found: the man pages are made with it "
                        "(apt-get install help2man; scripts/bootstrap does)")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(TM_PROGRAMS tm)
foreach(cmd setup pull backfill query detect status serve compact)
    list(APPEND TM_PROGRAMS tm-${cmd})
endforeach()

# Man pages and completion from the built programs' --help (lib/cmake/make_docs.py).
set(docs ${PROJECT_BINARY_DIR}/docs)
set(docs_outputs ${docs}/completion/tm)
foreach(program ${TM_PROGRAMS})
    list(APPEND docs_outputs ${docs}/man/${program}.1)
endforeach()
add_custom_command(
    OUTPUT ${docs_outputs}
    COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C.UTF-8
            ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/lib/cmake/make_docs.py
            --bin $<TARGET_FILE_DIR:tm> --out ${docs} --help2man ${HELP2MAN}
            --env ${PROJECT_SOURCE_DIR}/config/tm.env
            --completion ${PROJECT_SOURCE_DIR}/lib/cmake/completion.bash
    DEPENDS ${TM_PROGRAMS} ${PROJECT_SOURCE_DIR}/lib/cmake/make_docs.py
            ${PROJECT_SOURCE_DIR}/lib/cmake/completion.bash ${PROJECT_SOURCE_DIR}/config/tm.env
    COMMENT "Man pages and bash completion from the programs' --help")
add_custom_target(tm_docs ALL DEPENDS ${docs_outputs})

install(TARGETS ${TM_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(program ${TM_PROGRAMS})
    install(FILES ${docs}/man/${program}.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endforeach()
install(FILES ${docs}/completion/tm DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

file(GLOB TM_SCHEMA_SQL CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/schema/*.sql)
install(FILES ${TM_SCHEMA_SQL} DESTINATION ${CMAKE_INSTALL_DATADIR}/tm/schema)
install(FILES ${PROJECT_SOURCE_DIR}/config/defillama.csv ${PROJECT_SOURCE_DIR}/config/artemis.csv
              ${PROJECT_SOURCE_DIR}/config/entities.csv ${PROJECT_SOURCE_DIR}/config/rules.toml
              ${PROJECT_SOURCE_DIR}/config/retention.toml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tm/config)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/prometheus DESTINATION ${CMAKE_INSTALL_DATADIR}/tm/config)
# The schedules stay templates: install-schedule fills in this tm's paths and folders for the
# user or system it installs them for, after checking every line (it finds them beside itself,
# and the programs in bin/ of the same prefix).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/crontab/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tm/crontab)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/install-schedule
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tm/scripts)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/demo/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tm/demo)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/tm.env DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_LOCALSTATEDIR}/log/tm
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)

# Files that name installed paths (tm.env and the logrotate rule name /etc/tm and /var/log/tm)
# are written at install time, so that `cmake --install --prefix DIR` gets them right too.
install(CODE "
    set(TM_DATADIR \"${CMAKE_INSTALL_DATADIR}\")
    set(TM_SYSCONFDIR \"${CMAKE_INSTALL_SYSCONFDIR}\")
    set(TM_LOCALSTATEDIR \"${CMAKE_INSTALL_LOCALSTATEDIR}\")
    set(TM_ENV \"${PROJECT_SOURCE_DIR}/config/tm.env\")
    set(TM_LOGROTATE \"${PROJECT_SOURCE_DIR}/config/logrotate\")
    set(TM_PROGRAMS \"${TM_PROGRAMS}\")
    set(TM_STAGING \"${PROJECT_BINARY_DIR}/install-staging\")
    include(\"${PROJECT_SOURCE_DIR}/lib/cmake/install_paths.cmake\")
")
