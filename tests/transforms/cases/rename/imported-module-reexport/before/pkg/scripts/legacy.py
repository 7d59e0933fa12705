# For backward compatibility
from pkg.api import checkPath
