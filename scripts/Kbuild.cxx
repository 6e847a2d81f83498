# SPDX-License-Identifier: GPL-2.0
#
# C++ objects inside kbuild, shared by the driver's Kbuild and by the
# subset-enforcement tests (tests/subset), so that what the tests prove is
# exactly what the driver is built with.
#
# A pattern rule turns foo.cc into foo.o with the kernel's code-generation
# flags (_c_flags minus C-only warnings), but without the kernel include
# path: C++ never sees a kernel header. Objects then go through fixdep,
# objtool and modpost like C objects. After compiling, cxx_check rejects
# what the compiler alone does not: global constructors, unwind tables,
# guarded local statics, global operator new and soft-float calls.
# See Documentation/design.md, "The C++ subset".

# kbuild runs make -rR, so $(CXX) is unset; derive g++-NN from gcc-NN so
# the C and C++ compilers are the same version.
KCXX ?= $(subst gcc,g++,$(CC))

cxx-unsupported := -std=gnu11 -std=gnu89 -Wstrict-prototypes \
	-Werror=strict-prototypes -Werror=implicit-function-declaration \
	-Werror=implicit-int -Wno-pointer-sign -Werror=incompatible-pointer-types \
	-Werror=designated-init -Wdeclaration-after-statement \
	-Wmissing-prototypes -Wold-style-definition -Wno-old-style-declaration \
	-Wnested-externs -Wbad-function-cast -Wmissing-include-dirs \
	-Wmissing-parameter-type -Wold-style-declaration -Wpointer-sign \
	-Wno-stringop-overflow -Wno-unused-but-set-variable \
	-Wno-alloc-size-larger-than -Wimplicit-fallthrough=5 \
	-Werror=return-type -Wno-restrict -Wno-maybe-uninitialized \
	-Wno-array-bounds -Wno-format-overflow -Wno-zero-length-bounds \
	-Wno-dangling-pointer -Wno-address-of-packed-member -Wno-override-init

# -nostdinc/-nostdinc++ with no -I for the kernel: standard and kernel
# headers are "not found". -mno-sse/-mno-80387 come from _c_flags.
cxx-lang := -std=gnu++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-use-cxa-atexit -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-nostdinc -nostdinc++ -fno-common -Wno-missing-field-initializers \
	-Werror=vla -Wall -Wextra -Wno-unused-parameter -Werror=return-type \
	-Wnon-virtual-dtor -Wimplicit-fallthrough -I$(CXX_INCLUDE)

# A KASAN kernel (make check-debug) registers each object's globals from a
# compiler-made constructor (.init_array), which cxx_check rejects: C++
# objects go without KASAN's global-variable checks there; their stack and
# heap accesses stay checked. (GCC takes the last --param given.)
ifdef CONFIG_KASAN
cxx-lang += --param asan-globals=0
endif

cxx_flags = -Wp,-MMD,$(depfile) \
	$(filter-out $(cxx-unsupported), $(_c_flags) $(modkern_cflags)) \
	$(cxx-lang) $(cxxflags-y) \
	$(basename_flags) $(modname_flags)

# Checks that run on the source before the compiler sees it: a clearer
# message than "linux/x.h: No such file or directory".
cmd_cxx_precheck = if grep -nE '^[[:space:]]*\#[[:space:]]*include[[:space:]]*<' $< >&2; then \
	echo "error: $<: C++ may not include standard or kernel headers (use \"kern/...\" or \"kapi/...\")" >&2; \
	exit 1; fi

# Checks on the object, for constructs the compiler accepts but the
# kernel cannot support.
cmd_cxx_check = \
	if $(OBJDUMP) -h $@ | grep -qE '\.(init_array|ctors|preinit_array)\b'; then \
		echo "error: $@: global constructor (.init_array): the kernel never runs it; use constexpr init or an explicit init()" >&2; \
		rm -f $@; exit 1; fi; \
	if $(OBJDUMP) -h $@ | grep -qE '\.(gcc_except_table|eh_frame)\b'; then \
		echo "error: $@: unwind tables or exception tables present" >&2; \
		rm -f $@; exit 1; fi; \
	if $(OBJDUMP) -h $@ | grep -qE '\.(tbss|tdata)\b'; then \
		echo "error: $@: thread-local storage (thread_local) has no kernel support; use per-cpu data via kapi" >&2; \
		rm -f $@; exit 1; fi; \
	if $(NM) $@ | grep -q ' _ZGV'; then \
		echo "error: $@: dynamically initialised function-local static (guard variable _ZGV)" >&2; \
		rm -f $@; exit 1; fi; \
	if $(NM) -u $@ | grep -qE ' U _Zn[wa][mj]'; then \
		echo "error: $@: global operator new used; allocate with kern::make<T>(gfp, ...)" >&2; \
		rm -f $@; exit 1; fi; \
	if $(NM) -u $@ | grep -qE ' U __((add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)[sdtx]f[23]|float|fix|extend|trunc)'; then \
		echo "error: $@: floating point used (soft-float helper referenced)" >&2; \
		rm -f $@; exit 1; fi; \
	if $(NM) -u $@ | grep -E ' U (__cxa_|__gxx_personality|_Unwind_)' | grep -qv __cxa_pure_virtual; then \
		echo "error: $@: C++ runtime support referenced (exceptions, atexit or RTTI machinery)" >&2; \
		rm -f $@; exit 1; fi

quiet_cmd_cc_o_cc = CXX $(quiet_modtag) $@
      cmd_cc_o_cc = $(KCXX) $(cxx_flags) -c -o $@ $< $(cmd_objtool)

define rule_cc_o_cc
	$(call cmd,cxx_precheck)
	$(call cmd_and_fixdep,cc_o_cc)
	$(call cmd,cxx_check)
	$(call cmd,check_local_export)
	$(call cmd,gen_objtooldep)
endef

$(obj)/%.o: $(src)/%.cc FORCE
	$(call if_changed_rule,cc_o_cc)
