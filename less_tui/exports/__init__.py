"""Minutes and the indicator workbook: one minutes model (``model``), thin writers (``markdown``,
``html``, ``docx``, ``workbook``, the run ``chart``) and the files they go to (``files``). Data in,
file out: the data is gathered by ``services/minutes.py``. No Textual or Rich here."""

from .files import (DEMO_FOLDER, default_path, export_folder, export_meeting, file_name, is_demo, list_exports,
                    warm_up)
from ..core.minutes import FORMATS, ExportError

__all__ = ["DEMO_FOLDER", "FORMATS", "ExportError", "default_path", "export_folder", "export_meeting", "file_name",
           "is_demo", "list_exports", "warm_up"]
