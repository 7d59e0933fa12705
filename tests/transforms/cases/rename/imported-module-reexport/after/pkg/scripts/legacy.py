# For backward compatibility
from pkg.api import check_path
