# The runtime's folders keep their layering: no folder includes a header of a folder above it
# (scripts/check-layers.sh; order in docs/developer.md, "Code map").
add_test(NAME layers COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/check-layers.sh)
set_tests_properties(layers PROPERTIES LABELS unit TIMEOUT 60)
