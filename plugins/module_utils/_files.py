# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Replacing a configuration file in one step, shared by the modules that edit one.

Private to this collection: no compatibility promise outside it.
"""

import os
import tempfile

from ansible.module_utils.common.text.converters import to_bytes


def write_atomically(module, path, text, created):
    """Write text to path through a temporary file beside it, so a reader never sees half a file.

    An existing file keeps its owner and mode (atomic_move copies them); a created one gets 0644.
    """
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    handle, temp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(to_bytes(text))
        if created:
            os.chmod(temp, 0o644)
        module.atomic_move(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
